import factory
from django.utils import timezone

from teams.models import MemberImport, Membership, Team, User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    display_name = factory.Sequence(lambda n: f"成员{n}")
    language = "en"
    password = factory.PostGenerationMethodCall("set_password", "pw-Secret-123")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])


class TeamFactory(factory.django.DjangoModelFactory):
    """Builds teams through the service so paths are right, as in real use."""

    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    kind = Team.Kind.TEAM
    parent = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from teams.services import create_team

        return create_team(actor=None, name=kwargs["name"], kind=kwargs["kind"], parent=kwargs["parent"])


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    team = factory.SubFactory(TeamFactory)
    role = Membership.Role.SALESPERSON
    started_on = factory.LazyFunction(lambda: timezone.localdate() - timezone.timedelta(days=365))


def member_of(team: Team, role: str = Membership.Role.SALESPERSON, **user_fields) -> User:
    """A person whose current membership is `role` in `team`."""
    user = UserFactory(**user_fields)
    MembershipFactory(user=user, team=team, role=role)
    return user


class MemberImportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemberImport

    uploaded_by = factory.SubFactory(UserFactory)
    original_name = "members.csv"
