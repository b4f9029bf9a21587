"""The pytest plugin for testers (``omsdesktop_app``); registered through ``pytest11``."""
