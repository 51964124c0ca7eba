"""Scanned test input made with python3-cairo (Debian's python3): PDFs
with a text layer, and 300 dpi page images with a slight skew and dust
specks, as image-only PDFs or PNG pages.  Used by test_scans.py and
test_scans_redact.py."""
import random

import cairo

DPI = 300
rng = random.Random(17)


def layout(ctx, paras, width, size):
    """Lines of paras wrapped to width (cairo's measure), a blank line
    between paragraphs."""
    ctx.select_font_face("DejaVu Serif")
    ctx.set_font_size(size)
    lines = []
    for p in paras:
        cur = ""
        for w in p.split():
            t = (cur + " " + w).strip()
            if cur and ctx.text_extents(t).x_advance > width:
                lines.append(cur)
                cur = w
            else:
                cur = t
        lines.append(cur)
        lines.append("")
    return lines


def pages_of(lines, per_page):
    return [lines[i:i + per_page] for i in range(0, len(lines), per_page)]


def text_pdf(path, paras, banner=None):
    """A PDF with a text layer, letter size, 11 pt."""
    s = cairo.PDFSurface(path, 612, 792)
    c = cairo.Context(s)
    lines = layout(c, paras, 612 - 144, 11)
    for page in pages_of(lines, 44):
        c.set_font_size(11)
        y = 72
        if banner:
            c.move_to(260, 40)
            c.show_text(banner)
        for l in page:
            c.move_to(72, y)
            c.show_text(l)
            y += 14.5
        c.show_page()
    s.finish()


def page_images(paras, banner=None, skew=0.35, noise=1500):
    """Page images at 300 dpi (letter), 12 pt text, skewed by `skew`
    degrees, with `noise` specks; returns cairo image surfaces."""
    probe = cairo.Context(cairo.ImageSurface(cairo.FORMAT_RGB24, 10, 10))
    scale = DPI / 72.0
    lines = layout(probe, paras, 612 - 144, 12)
    out = []
    for page in pages_of(lines, 40):
        w, h = int(8.5 * DPI), int(11 * DPI)
        img = cairo.ImageSurface(cairo.FORMAT_RGB24, w, h)
        c = cairo.Context(img)
        c.set_source_rgb(1, 1, 1)
        c.paint()
        c.translate(w / 2, h / 2)
        c.rotate(skew * 3.14159265 / 180)
        c.translate(-w / 2, -h / 2)
        c.scale(scale, scale)
        c.set_source_rgb(0.05, 0.05, 0.05)
        c.select_font_face("DejaVu Serif")
        if banner:
            c.set_font_size(14)
            c.move_to(250, 40)
            c.show_text(banner)
        c.set_font_size(12)
        y = 72
        for l in page:
            c.move_to(72, y)
            c.show_text(l)
            y += 16
        c.identity_matrix()
        for _ in range(noise):                     # dust and toner specks
            g = rng.uniform(0.2, 0.7)
            c.set_source_rgb(g, g, g)
            c.rectangle(rng.uniform(0, w), rng.uniform(0, h), rng.choice((1, 2, 3)),
                        rng.choice((1, 2, 3)))
            c.fill()
        out.append(img)
    return out


def image_pdf(path, images):
    s = cairo.PDFSurface(path, 612, 792)
    c = cairo.Context(s)
    for img in images:
        c.save()
        c.scale(72.0 / DPI, 72.0 / DPI)
        c.set_source_surface(img, 0, 0)
        c.paint()
        c.restore()
        c.show_page()
    s.finish()
