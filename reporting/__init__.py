"""Charts and figures shared by the web dashboards and the printed reports. Knows neither Flask
nor the engine: it turns plain labels and numbers into markup."""
