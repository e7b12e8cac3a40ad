#!/bin/sh
# "web" (default): apply migrations, then serve with gunicorn. Anything else runs as given,
# e.g. `civicflow scheduler`.
set -e
if [ "$1" = "web" ]; then
  civicflow init-db
  exec gunicorn --workers "${GUNICORN_WORKERS:-4}" --bind 0.0.0.0:8000 --access-logfile - 'webapp.wsgi:app'
fi
exec "$@"
