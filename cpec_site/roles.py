"""The three roles, as Django groups: who may read, enter and administer data.

- Viewer: the staff pages only (no permissions; any logged-in user can read the pages).
- Editor: Django admin, to add and change domain data; may delete only phases and
  sources; never deletes JCC meetings, decisions or financing, never manages users.
- Admin: everything, users included.

Editors and admins need ``is_staff`` to open the admin; ``roles_assign`` sets it.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db import transaction

VIEWER, EDITOR, ADMIN = "Viewer", "Editor", "Admin"
ROLES = (VIEWER, EDITOR, ADMIN)
#: The apps of the data people enter (each table watched by the data version: dashboard 0001).
DOMAIN_APPS = ("projects", "financing", "budget")
#: Models an editor may delete (mistakes in secondary records); everything else is kept.
EDITOR_DELETABLE = {"phase", "source"}


def _domain_permissions():
    models = [m for app in DOMAIN_APPS for m in apps.get_app_config(app).get_models()]
    names = {m._meta.model_name for m in models}
    return Permission.objects.filter(content_type__app_label__in=DOMAIN_APPS, content_type__model__in=names)


@transaction.atomic
def roles_setup() -> dict[str, int]:
    """Create or update the three groups; returns how many permissions each has."""
    viewer, _ = Group.objects.get_or_create(name=VIEWER)
    viewer.permissions.clear()

    editor, _ = Group.objects.get_or_create(name=EDITOR)
    allowed = []
    for perm in _domain_permissions().select_related("content_type"):
        action = perm.codename.split("_", 1)[0]
        if action in ("view", "add", "change") or (action == "delete" and perm.content_type.model in EDITOR_DELETABLE):
            allowed.append(perm)
    editor.permissions.set(allowed)

    admin, _ = Group.objects.get_or_create(name=ADMIN)
    admin.permissions.set(Permission.objects.all())
    return {group.name: group.permissions.count() for group in (viewer, editor, admin)}


@transaction.atomic
def roles_assign(user, role: str) -> None:
    """Put ``user`` in exactly one role and set ``is_staff`` to match it."""
    if role not in ROLES:
        raise ValueError(f"Unknown role {role!r}; choose one of {', '.join(ROLES)}.")
    user.groups.remove(*Group.objects.filter(name__in=ROLES))
    user.groups.add(Group.objects.get(name=role))
    user.is_staff = role in (EDITOR, ADMIN)
    user.save(update_fields=["is_staff"])
