"""Run a function in several threads at once, each with its own database connection: how the
tests of row locks (two imports, two alert runs) make two writers meet."""

import threading

from django.db import connection


def at_once(function, times=2):
    """(results, errors) of `function()` started in `times` threads together."""
    start, results, errors = threading.Barrier(times), [], []

    def run():
        try:
            start.wait()
            results.append(function())
        except Exception as error:  # noqa: BLE001 - the test reports whatever went wrong
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors
