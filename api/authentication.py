"""Token authentication that answers at once for a revoked token and never sends PostgreSQL a key
it cannot hold.

- The token is read from the primary database, like sessions and users
  (``cpec_tracker.db_routers.PRIMARY_APPS``): a token an administrator revoked is refused on
  every server at once, whatever a read replica's lag.
- Keys are 40 hexadecimal characters (``rest_framework.authtoken.models.Token.generate_key``);
  anything else is refused as an invalid token without a query (DRF looked any key up as given,
  and one with a NUL byte made PostgreSQL refuse the query: a 500).
"""

import re

from rest_framework import authentication
from rest_framework.exceptions import AuthenticationFailed

from cpec_tracker.db_routers import PRIMARY

KEY = re.compile(r"[0-9a-f]{40}")


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        model = self.get_model()
        if not KEY.fullmatch(key):
            raise AuthenticationFailed("Invalid token.")
        try:
            token = model.objects.using(PRIMARY).select_related("user").get(key=key)
        except model.DoesNotExist:
            raise AuthenticationFailed("Invalid token.") from None
        if not token.user.is_active:
            raise AuthenticationFailed("User inactive or deleted.")
        return (token.user, token)
