"""Date and number formats by language (FORMAT_MODULE_PATH): English is written as in Britain."""
