pytest_plugins = ["bot.testing.plugin"]
