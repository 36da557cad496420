"""The write side: the office's aggregates and the UnionOffice application.

Nothing here imports Flask. Module and class names are stored in every event's
topic: they are settled once and never renamed without registering the old topic.
"""
