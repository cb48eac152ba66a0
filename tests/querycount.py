"""Queries every request makes beside its page's own: on PostgreSQL it sets its database budget
(statements/budget.py; inside a test's transaction on every request, on a server once per
connection and class of request); SQLite's budget is a progress handler."""

from django.db import connection


def budget_queries():
    return 1 if connection.vendor == "postgresql" else 0
