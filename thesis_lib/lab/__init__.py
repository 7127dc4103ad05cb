"""What the notebooks call: one set-up per chapter and one way to show a melody (`notebook`), the JupyterLab
generation panel (`panel`), and the series run headless by papermill (`series`)."""
