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
    def enter(self) -> None:
        if not self.ids.cards.children:
            self._build()
        scroll_to_top(self.ids.scroll)

    def _build(self) -> None:
        box = self.ids.cards
        try:
            groups: list[tuple[Category, list[Service]]] = self.app.terminal.catalog.by_category()
        except LoketError as e:
            log.error("no catalog to show: %s", e)
            groups = []
        for category, services in groups:
            box.add_widget(CategoryHeading(category=category))
            grid = ServiceGrid()
            for service in services:
                card = ServiceCard(service=service)
                card.bind(on_release=self._chosen)
                grid.add_widget(card)
            box.add_widget(grid)

    def cards(self) -> list[ServiceCard]:
        return [w for w in self.ids.cards.walk(restrict=True) if isinstance(w, ServiceCard)]

    def _chosen(self, card: ServiceCard) -> None:
        self.app.journey.choose_service(card.service)
        self.app.go("form")

    def clear(self) -> None:
        # the catalog may have been updated since: rebuild on the next visit
        self.ids.cards.clear_widgets()


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
