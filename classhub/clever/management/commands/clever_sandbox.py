from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from classhub.clever.sandbox.cli import serve


class Command(BaseCommand):
    help = (
        "Run the Clever sandbox, a local stand-in for Clever's OAuth host and v3.0 API. It accepts the "
        "CLEVER_CLIENT_ID / CLEVER_CLIENT_SECRET the product is configured with."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="loopback address to listen on")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--dataset", default="demo", help="'demo' (generated) or a folder of Clever list files")
        parser.add_argument("--seed", type=int, default=1, help="seed of the generated demo data")
        parser.add_argument("--allow-remote", action="store_true", help="listen on a non-loopback host")
        parser.add_argument("--quiet", action="store_true", help="do not log each request")

    def handle(self, *args, **options):
        code = serve(
            host=options["host"],
            port=options["port"],
            dataset=options["dataset"],
            seed=options["seed"],
            client_id=settings.CLEVER_CLIENT_ID,
            client_secret=settings.CLEVER_CLIENT_SECRET,
            allow_remote=options["allow_remote"],
            quiet=options["quiet"],
            out=self.stdout,
        )
        if code:
            raise CommandError("The Clever sandbox could not start (see the message above).")
