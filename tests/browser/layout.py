"""What a reader would see go wrong with a page's layout, measured in the browser."""


def overflowing(page):
    """Elements that stick out of the viewport to the right: the page scrolls sideways."""
    return page.evaluate("""() => {
        const width = document.documentElement.clientWidth;
        return [...document.querySelectorAll("body *")]
            .filter(e => e.getBoundingClientRect().right > width + 1)
            .map(e => `${e.tagName.toLowerCase()}.${e.className} ends at ${Math.round(e.getBoundingClientRect().right)}`);
    }""")
