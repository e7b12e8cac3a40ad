/* 随手拍 (citizen/report.html): one step at a time, the category search, the point (a Leaflet
   map when tiles are configured, else the phone's location; a photo's own location when no
   point is set yet), the open reports nearby and the review. Without this script the form
   still works as one page. Photos upload through uploads.js. */
(function () {
  "use strict";

  const form = document.getElementById("report-form");
  if (!form) return;
  const steps = Array.from(form.querySelectorAll(".report-step"));
  const links = Array.from(document.querySelectorAll("[data-step-link]"));
  const lat = document.getElementById("f-lat");
  const lng = document.getElementById("f-lng");
  const pointText = document.getElementById("point-text");
  const photoList = document.getElementById("photo-list");
  let current = 0;
  let map = null;  // the Leaflet map, when tiles are configured
  let marker = null;

  /* ---- steps ---- */

  function show(index, focus) {
    current = Math.max(0, Math.min(index, steps.length - 1));
    steps.forEach((step, i) => step.classList.toggle("is-current", i === current));
    links.forEach((link, i) => {
      link.classList.toggle("is-done", i < current);
      if (i === current) link.setAttribute("aria-current", "step");
      else link.removeAttribute("aria-current");
    });
    if (steps[current].dataset.step === "review") fillReview();
    if (map && steps[current].contains(map.getContainer())) {
      const centre = marker ? marker.getLatLng() : map.getCenter();
      map.invalidateSize({pan: false});  // a map made while its step was hidden measured itself as 0×0
      map.setView(centre, map.getZoom(), {animate: false});
    }
    if (focus) steps[current].querySelector("h2").focus();
  }

  function stepProblem(step) {
    const invalid = Array.from(step.querySelectorAll("input, select, textarea")).find((el) => !el.checkValidity());
    if (invalid) return invalid;
    if (step.dataset.step === "photos" && !photoList.querySelector(".upload-row[data-attachment-id]")) {
      return document.getElementById("f-photo-camera");
    }
    return null;
  }

  function next() {
    const bad = stepProblem(steps[current]);
    if (bad) {
      bad.focus();
      bad.reportValidity();
      if (bad.type === "file") showPhotoNeeded();
      return;
    }
    show(current + 1, true);
  }

  function showPhotoNeeded() {
    let note = document.getElementById("f-photos-needed");
    if (!note) {
      note = document.createElement("div");
      note.id = "f-photos-needed";
      note.className = "alert alert-warning py-2";
      note.setAttribute("role", "alert");
      note.textContent = photoList.dataset.needed;
      photoList.before(note);
    }
  }

  form.classList.add("is-stepped");
  form.querySelectorAll(".step-nav, [data-step-back]").forEach((el) => { el.hidden = false; });
  form.addEventListener("click", (event) => {
    if (event.target.closest("[data-step-next]")) next();
    else if (event.target.closest("[data-step-back]")) show(current - 1, true);
  });
  links.forEach((link, i) => link.addEventListener("click", (event) => {
    event.preventDefault();
    if (i <= current) show(i, true);
    else if (!stepProblem(steps[current])) show(Math.min(i, current + 1), true);
    else next();
  }));
  // Enter in a text field moves to the next step instead of sending the half-filled form
  form.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.target.matches("input") && steps[current].dataset.step !== "review") {
      event.preventDefault();
      if (event.target.type !== "search") next();
    }
  });

  function stepOf(element) {
    const index = element ? steps.findIndex((step) => step.contains(element)) : -1;
    return index < 0 ? 0 : index;
  }

  // after a refused submission: open the step of the first problem, and let the summary's links open theirs
  const problems = document.getElementById("report-problems");
  const anchors = {photos: "f-photo-files", category: "cat-none", lat: "report-point", lng: "report-point"};
  const first = form.dataset.firstProblem;
  show(first ? stepOf(document.getElementById(anchors[first] || `f-${first}`)) : 0, false);
  if (problems) {
    problems.addEventListener("click", (event) => {
      const link = event.target.closest("a[href^='#']");
      if (!link) return;
      event.preventDefault();
      const target = document.getElementById(link.getAttribute("href").slice(1));
      show(stepOf(target), false);
      target.focus();
    });
  }

  /* ---- category search ---- */

  const search = document.getElementById("category-search");
  const options = Array.from(form.querySelectorAll(".category-option:not(.category-unsure)"));
  const noneFound = form.querySelector(".category-none-found");
  search.closest(".category-search").hidden = false;
  search.addEventListener("input", () => {
    const words = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    options.forEach((option) => {
      const text = option.dataset.search.toLowerCase();
      option.hidden = !words.every((w) => text.includes(w));
    });
    form.querySelectorAll(".category-group").forEach((group) => {
      group.hidden = !group.querySelector(".category-option:not([hidden])");
    });
    noneFound.hidden = options.some((option) => !option.hidden);
  });

  /* ---- the point ---- */

  const pointBox = document.getElementById("report-point");
  pointBox.hidden = false;

  function say(template, la, ln) {
    pointText.textContent = template.replace("{lat}", la.toFixed(5)).replace("{lng}", ln.toFixed(5));
  }

  function setPoint(la, ln, template) {
    lat.value = la.toFixed(7);
    lng.value = ln.toFixed(7);
    say(template || pointText.dataset.setText, la, ln);
    if (map) {
      if (marker) marker.setLatLng([la, ln]);
      else marker = window.L.marker([la, ln], {keyboard: false}).addTo(map);
      map.panTo([la, ln]);
    }
    loadNearby();
  }

  const tiles = form.dataset.mapTiles;
  const mapBox = document.getElementById("report-map");
  if (tiles && mapBox && window.L) {
    const [cLat, cLng] = form.dataset.mapCenter.split(",").map(Number);
    const start = lat.value && lng.value ? [Number(lat.value), Number(lng.value)] : [cLat, cLng];
    map = window.L.map(mapBox).setView(start, 16);
    map.attributionControl.setPrefix(false);
    window.L.tileLayer(tiles, {maxZoom: 19, attribution: form.dataset.mapAttribution || ""}).addTo(map);
    if (lat.value && lng.value) marker = window.L.marker(start, {keyboard: false}).addTo(map);
    map.on("click", (event) => setPoint(event.latlng.lat, event.latlng.lng));
    document.getElementById("map-centre-point").addEventListener("click", () => {
      const centre = map.getCenter();
      setPoint(centre.lat, centre.lng);
    });
  }

  const locate = document.getElementById("locate-me");
  if (!navigator.geolocation) locate.hidden = true;
  locate.addEventListener("click", () => {
    pointText.textContent = pointText.dataset.locatingText;
    navigator.geolocation.getCurrentPosition(
      (position) => setPoint(position.coords.latitude, position.coords.longitude),
      () => { pointText.textContent = pointText.dataset.failedText; },
      {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000});
  });

  const photoCount = document.getElementById("photo-count");
  function countPhotos() {
    const n = photoList.querySelectorAll(".upload-row[data-attachment-id]").length;
    photoCount.textContent = photoCount.dataset.countText.replace("{n}", n);
  }
  photoList.addEventListener("upload:removed", countPhotos);
  photoList.addEventListener("upload:added", (event) => {
    const row = event.detail.row;
    const note = document.getElementById("f-photos-needed");
    if (note) note.remove();
    countPhotos();
    if (!lat.value && row.dataset.lat && row.dataset.lng) {
      setPoint(Number(row.dataset.lat), Number(row.dataset.lng), pointText.dataset.photoText);
    }
  });

  /* ---- open reports nearby ---- */

  function chosenCategory() {
    const checked = form.querySelector("input[name=category]:checked");
    return checked ? checked.value : "";
  }

  function loadNearby() {
    if (!lat.value || !lng.value || !window.htmx) return;
    const query = new URLSearchParams({lat: lat.value, lng: lng.value, category: chosenCategory()});
    window.htmx.ajax("GET", `${form.dataset.nearbyUrl}?${query}`, {target: "#nearby", swap: "innerHTML"});
  }

  form.querySelectorAll("input[name=category]").forEach((radio) => radio.addEventListener("change", loadNearby));
  if (lat.value && lng.value) loadNearby();

  /* ---- review ---- */

  const review = document.getElementById("review-list");
  review.hidden = false;

  function fillReview() {
    const empty = review.dataset.empty;
    const text = (id) => (document.getElementById(id).value || "").trim() || empty;
    const category = form.querySelector("input[name=category]:checked");
    const categoryLabel = category && category.value
      ? form.querySelector(`label[for="${category.id}"]`).firstChild.textContent.trim() : review.dataset.unsure;
    const district = document.getElementById("f-district");
    const photos = Array.from(photoList.querySelectorAll(".upload-row[data-attachment-id] .upload-name")).map((n) => n.textContent);
    const values = {
      category: categoryLabel, title: text("f-title"), description: text("f-description"),
      photos: photos.length ? photos.join("、") : empty, address: text("f-address"),
      district: district.value ? district.options[district.selectedIndex].text : empty,
      point: lat.value && lng.value ? `${Number(lat.value).toFixed(5)}, ${Number(lng.value).toFixed(5)}` : empty,
    };
    review.querySelectorAll("[data-review]").forEach((dd) => { dd.textContent = values[dd.dataset.review]; });
  }
})();
