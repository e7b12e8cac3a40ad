"""WSGI entry point for gunicorn: ``gunicorn -w 4 'webapp.wsgi:app'``. Timers run in separate
``civicflow scheduler`` processes, never in web workers."""
from . import create_app

app = create_app()
