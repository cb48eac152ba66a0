import getpass
import os

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from statements.roles import setup_roles


class Command(BaseCommand):
    help = (
        "Create (or update) a staff account in the Editors group (or Publishers with "
        "--publisher). The password is read from the EDITOR_PASSWORD environment variable or "
        "asked for interactively."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="Login name of the editor.")
        parser.add_argument("--email", default="", help="Email address of the editor.")
        parser.add_argument(
            "--publisher", action="store_true", help="Also publish, withdraw and merge (Publishers group)."
        )

    def handle(self, username, email, publisher=False, **options):
        password = os.environ.get("EDITOR_PASSWORD") or getpass.getpass("Password: ")
        User = get_user_model()
        user = User.objects.filter(username=username).first() or User(username=username)
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages))
        setup_roles()
        created = user.pk is None
        user.email = email or user.email
        user.is_staff = True
        user.set_password(password)
        user.save()
        role = "Publishers" if publisher else "Editors"
        user.groups.add(Group.objects.get(name=role))
        verb = "Created" if created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} {role[:-1].lower()} {username!r}; log in at /admin/."))
