"""The chat window, by role: import the module you need, not the package.

This file imports nothing, so the ask window can take the message box and the backend protocol
without loading the chat window (built only when a chat is first opened).
"""
