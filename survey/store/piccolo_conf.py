"""piccolo's configuration module (PICCOLO_CONF); the engine follows DATABASE_URL."""

from piccolo.conf.apps import AppRegistry

from survey.settings import Settings
from survey.store.engine import engine_from_url

_settings = Settings.from_env()
DB = engine_from_url(_settings.database_url, _settings.sqlite_timeout)

APP_REGISTRY = AppRegistry(apps=["survey.store.piccolo_app"])
