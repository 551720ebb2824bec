# Dev settings: cheaper and disposable. Production keeps the variables' defaults.
environment         = "dev"
deletion_protection = false
access_logs_enabled = false
