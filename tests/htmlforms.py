"""Read a rendered form's fields as a browser would submit them (for admin form tests)."""

from html.parser import HTMLParser

from django.urls import reverse


class _FormParser(HTMLParser):
    def __init__(self, form_id):
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.data: dict[str, list[str]] = {}
        self._select = None
        self._textarea = None
        self._option_value = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (self.form_id is None or a.get("id") == self.form_id):
            self.inside = True
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.data.setdefault(name, []).append(a.get("value", "on"))
            elif kind not in ("submit", "button", "file", "image"):
                self.data.setdefault(name, []).append(a.get("value", ""))
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select].append(a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            value = self.data[self._textarea][0]
            self.data[self._textarea][0] = value[1:] if value.startswith("\n") else value
            self._textarea = None


def form_data(response, form_id=None) -> dict:
    """The submit data of the form ``form_id`` (or every form) in ``response``."""
    parser = _FormParser(form_id)
    parser.feed(response.content.decode())
    data = {}
    for name, values in parser.data.items():
        if not values:
            continue
        data[name] = values if len(values) > 1 else values[0]
    data.pop("csrfmiddlewaretoken", None)
    return data


# ------------------------------------------------------------------ admin pages
def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def post_change(admin_client, obj, **changes):
    """Post an object's admin change form as the page shows it, with ``changes`` applied."""
    url = admin_url(type(obj), "change", obj.pk)
    data = form_data(admin_client.get(url), form_id=f"{type(obj)._meta.model_name}_form")
    data.update(changes)
    return admin_client.post(url, data)


def post_add(admin_client, model, data):
    """Post a model's admin add form as the page shows it, with ``data`` filled in."""
    url = admin_url(model, "add")
    base = form_data(admin_client.get(url), form_id=f"{model._meta.model_name}_form")
    base.update(data)
    return admin_client.post(url, base)
