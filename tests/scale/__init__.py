"""Scale-out tests: the production process types on several ports, sharing MariaDB and Redis."""
