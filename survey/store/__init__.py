"""Storage: piccolo tables and migrations, the engine from DATABASE_URL, and the queries."""

import os

# piccolo finds its engine through this module; set before anything asks for it.
os.environ.setdefault("PICCOLO_CONF", "survey.store.piccolo_conf")
