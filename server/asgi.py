"""The ASGI app for uvicorn workers: `server.asgi:app`, configured from the environment."""

from server.app import create_app, freeze_startup_heap

app = create_app()
freeze_startup_heap()
