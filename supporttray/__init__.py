"""SupportTray: IT support one click away, over standard XMPP."""

__version__ = "0.1.0"
APP_NAME = "SupportTray"
