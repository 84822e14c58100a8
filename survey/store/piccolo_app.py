"""The piccolo app of Leitbild-Puls: its tables and migrations."""

import os

from piccolo.conf.apps import AppConfig

from survey.store.tables import TABLES

APP_CONFIG = AppConfig(
    app_name="store",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=list(TABLES),
    migration_dependencies=[],
    commands=[],
)
