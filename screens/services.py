"""Service list: one card per catalog service (name, what it is, fee, days), grouped by category."""

from __future__ import annotations

import logging

from kivy.properties import ObjectProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout

from kiosk.catalog.model import Category, Service
from kiosk.errors import LoketError
from screens.widgets import Heading, KioskScreen, load_kv, scroll_to_top

log = logging.getLogger("loket.screens")


class ServiceCard(ButtonBehavior, BoxLayout):
    service = ObjectProperty(None, rebind=True)


class CategoryHeading(Heading):
    category = ObjectProperty(None, rebind=True)


class ServicesScreen(KioskScreen):
    #: the catalog the cards were built from: rebuilt only when the terminal's catalog changes
    built_from: tuple[object, str] | None = None

    def enter(self) -> None:
        self.prepare()
        scroll_to_top(self.ids.scroll)

    def prepare(self) -> None:
        """Builds the cards (once per catalog version; the app calls this early, while idle)."""
        try:
            catalog = self.app.terminal.catalog
        except LoketError as e:
            log.error("no catalog to show: %s", e)
            self.ids.cards.clear_widgets()
            self.built_from = None
            return
        if self.built_from != (id(self.app.terminal), catalog.version):
            self.ids.cards.clear_widgets()
            self._build(catalog.by_category())
            self.built_from = (id(self.app.terminal), catalog.version)

    def _build(self, groups: list[tuple[Category, list[Service]]]) -> None:
        box = self.ids.cards
        for category, services in groups:
            box.add_widget(CategoryHeading(category=category))
            grid = ServiceGrid()
            for service in services:
                card = ServiceCard(service=service)
                card.bind(on_release=self._chosen)
                grid.add_widget(card)
            box.add_widget(grid)

    def spoken_words(self) -> list[str]:
        """The heading, then every service's name: the list is the screen's content."""
        return [*super().spoken_words(), *(card.service.name.in_language(self.app.lang) for card in self.cards())]

    def cards(self) -> list[ServiceCard]:
        return [w for w in self.ids.cards.walk(restrict=True) if isinstance(w, ServiceCard)]

    def _chosen(self, card: ServiceCard) -> None:
        self.app.journey.choose_service(card.service)
        self.app.go("form")

    def clear(self) -> None:
        """The cards show the catalog, nothing of a citizen; pressed states are reset."""
        for card in self.cards():
            card.state = "normal"


class ServiceGrid(GridLayout):
    """Cards side by side all as tall as the tallest, so a row reads as one line."""

    def add_widget(self, widget, *args, **kwargs) -> None:
        widget.bind(minimum_height=self._trigger_layout)
        super().add_widget(widget, *args, **kwargs)

    def do_layout(self, *args) -> None:
        tallest = max((card.minimum_height for card in self.children), default=0)
        for card in self.children:
            card.height = tallest
        super().do_layout(*args)


load_kv(__file__)
