"""Queries every request makes beside its page's own: on PostgreSQL it sets its database budget
and resets it when it ends (statements/budget.py); SQLite's budget is a progress handler."""

from django.db import connection


def budget_queries():
    return 2 if connection.vendor == "postgresql" else 0
