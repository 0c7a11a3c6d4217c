"""Progress dashboards and quarterly reports: pipeline metrics for managers and patrons."""
