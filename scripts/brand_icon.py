"""Draw the integration's brand icon: custom_components/qbittorrent_plus/brand/.

A rounded square in a teal-to-blue gradient holds a white arrow coming down into a
tray, fed by three peers (a swarm), with a plus for the "Plus". Home Assistant wants
icon.png at 256x256 and icon@2x.png at 512x512 with a transparent background.
    python -m scripts.brand_icon
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageChops, ImageDraw

BRAND_DIR = (
    Path(__file__).resolve().parent.parent
    / "custom_components"
    / "qbittorrent_plus"
    / "brand"
)
# Drawn on a 1024 grid at 4x, then scaled down smoothly.
GRID = 1024
SCALE = 4
TOP = (13, 148, 136)  # teal
BOTTOM = (29, 78, 216)  # blue
WHITE = (255, 255, 255, 255)


def _xy(*points: float) -> list[float]:
    return [p * SCALE for p in points]


def draw(size: int) -> Image.Image:
    """Return the icon at ``size`` x ``size`` pixels."""
    big = GRID * SCALE
    gradient = Image.new("RGBA", (1, big))
    for y in range(big):
        t = y / (big - 1)
        gradient.putpixel(
            (0, y), (*(round(a + (b - a) * t) for a, b in zip(TOP, BOTTOM, strict=True)), 255)
        )  # fmt: skip
    gradient = gradient.resize((big, big))

    mask = Image.new("L", (big, big), 0)
    ImageDraw.Draw(mask).rounded_rectangle(
        _xy(0, 0, 1024, 1024), radius=230 * SCALE, fill=255
    )
    icon = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    icon.paste(gradient, (0, 0), mask)

    pen = ImageDraw.Draw(icon)
    # The swarm: three peers joined to the top of the arrow.
    hub = (512, 360)
    peers = [(250, 215), (512, 160), (774, 215)]
    for peer in peers:
        pen.line(_xy(*peer, *hub), fill=(255, 255, 255, 150), width=22 * SCALE)
    for x, y in peers:
        pen.ellipse(_xy(x - 52, y - 52, x + 52, y + 52), fill=WHITE)
    # The arrow: a shaft and a head pointing down.
    pen.rounded_rectangle(_xy(452, 330, 572, 600), radius=28 * SCALE, fill=WHITE)
    pen.polygon(_xy(330, 560, 694, 560, 512, 760), fill=WHITE)
    # The tray it lands in.
    pen.rounded_rectangle(_xy(220, 800, 804, 872), radius=36 * SCALE, fill=WHITE)
    pen.rounded_rectangle(_xy(220, 690, 292, 872), radius=36 * SCALE, fill=WHITE)
    pen.rounded_rectangle(_xy(732, 690, 804, 872), radius=36 * SCALE, fill=WHITE)
    # The plus, on a disc cut out of the corner.
    cut = Image.new("L", (big, big), 0)
    ImageDraw.Draw(cut).ellipse(_xy(716, 716, 1024, 1024), fill=255)
    icon.putalpha(ImageChops.subtract(icon.getchannel("A"), cut))
    pen = ImageDraw.Draw(icon)
    pen.ellipse(_xy(750, 750, 990, 990), fill=(249, 115, 22, 255))  # orange
    pen.rounded_rectangle(_xy(850, 790, 890, 950), radius=12 * SCALE, fill=WHITE)
    pen.rounded_rectangle(_xy(790, 850, 950, 890), radius=12 * SCALE, fill=WHITE)

    return icon.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    """Write icon.png and icon@2x.png."""
    BRAND_DIR.mkdir(exist_ok=True)
    draw(256).save(BRAND_DIR / "icon.png", optimize=True)
    draw(512).save(BRAND_DIR / "icon@2x.png", optimize=True)
    print(f"wrote {BRAND_DIR / 'icon.png'} and {BRAND_DIR / 'icon@2x.png'}")


if __name__ == "__main__":
    main()
