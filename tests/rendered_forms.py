"""Post back an admin page's form as the browser renders it: what the page shows, not what the
test thinks the form has (a field the page never renders is never posted).

    form = RenderedForm.open(client, "/admin/statements/briefing/1/change/")
    form["title"] = "New title"
    response = form.submit()
"""

from html.parser import HTMLParser

from django.utils.datastructures import MultiValueDict


class _Fields(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields, self.names, self.in_form = [], set(), False
        self.textarea = self.select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("method", "").lower() == "post" and a.get("id") != "logout-form":
            # The admin's change form (id "<model>_form"), or the page's first form that posts.
            first_post_form = not self.fields and not self.names
            self.in_form = a.get("id", "").endswith("_form") or first_post_form
            if a.get("id", "").endswith("_form"):
                self.fields, self.names = [], set()
        if not self.in_form:
            return
        name = a.get("name")
        if name:
            self.names.add(name)
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "file", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append((name, a.get("value", "on" if kind in ("checkbox", "radio") else "")))
        elif tag == "textarea":
            self.textarea = [name, ""]
        elif tag == "select":
            # A single select with nothing selected posts its first option, as a browser does.
            self.select, self.multiple, self.first_option, self.chosen = name, "multiple" in a, None, False
        elif tag == "option" and self.select:
            if self.first_option is None:
                self.first_option = a.get("value", "")
            if "selected" in a:
                self.fields.append((self.select, a.get("value", "")))
                self.chosen = True

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self.textarea is not None:
            name, value = self.textarea
            value = value[1:] if value.startswith("\n") else value
            # Browsers submit a textarea's line breaks as CRLF (HTML, form submission).
            self.fields.append((name, value.replace("\r\n", "\n").replace("\n", "\r\n")))
            self.textarea = None
        elif tag == "select" and self.select:
            if not self.chosen and not self.multiple and self.first_option is not None:
                self.fields.append((self.select, self.first_option))
            self.select = None
        elif tag == "form":
            self.in_form = False


class RenderedForm:
    def __init__(self, client, url, html):
        parser = _Fields()
        parser.feed(html)
        self.client, self.url, self.rendered = client, url, parser.names
        self.data = MultiValueDict()
        for name, value in parser.fields:
            self.data.appendlist(name, value)

    @classmethod
    def open(cls, client, url):
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        return cls(client, url, response.content.decode())

    def __setitem__(self, name, value):
        assert name in self.rendered, f"{name} is not on the page: a person could not fill it"
        self.data.setlist(name, value if isinstance(value, list) else [str(value)])

    def __getitem__(self, name):
        return self.data.get(name)

    def submit(self, button="_save"):
        data = {name: self.data.getlist(name) for name in self.data}
        if button:
            data[button] = "Save"
        return self.client.post(self.url, data)

    @classmethod
    def from_response(cls, client, url, response):
        """The form of a page that answered a POST (the import's preview)."""
        return cls(client, url, response.content.decode())
