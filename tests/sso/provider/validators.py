from oauth2_provider.oauth2_validators import OAuth2Validator


class Validator(OAuth2Validator):
    # Every claim below goes into the ID token and user info whatever the scopes asked.
    oidc_claim_scope = None

    def get_additional_claims(self, request):
        user = request.user
        # The provider's people: last_name "unverified" stands for an address never confirmed.
        return {
            "name": user.first_name or user.username,
            "preferred_username": user.username,
            "email": user.email,
            "email_verified": user.last_name != "unverified",
            "employee_id": user.username,
        }
