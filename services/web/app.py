"""What the web console adds to the Litestar application: its routes (under ``/console``, with
CSRF and its own error pages), the static files, the template engine, and local assets for the
API docs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Router
from litestar.datastructures import CacheControlHeader
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.openapi.plugins import OpenAPIRenderPlugin, SwaggerRenderPlugin
from litestar.plugins.htmx import HTMXRequest
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig

from services.settings import Settings
from services.web.render import EXCEPTION_HANDLERS, provide_viewer
from services.web.security import csrf_config
from services.web.templating import STATIC, STATIC_URL, static_url, template_config

FAVICON = f"<link rel='icon' type='image/svg+xml' href='{STATIC_URL}/favicon.svg'>"


@dataclass(frozen=True)
class WebParts:
    route_handlers: list[Any]
    template_config: TemplateConfig[JinjaTemplateEngine]


def web_parts(settings: Settings) -> WebParts:
    from services.web.auth_controller import SignInController
    from services.web.bulk_buys_controller import BulkBuysController
    from services.web.console_controller import ConsoleController
    from services.web.cycles_controller import CyclesController
    from services.web.data_catalogue_controller import DataCatalogueController
    from services.web.data_controller import DataController
    from services.web.data_keys_controller import DataKeysController
    from services.web.data_prices_controller import DataPricesController
    from services.web.invoices_controller import InvoicesController
    from services.web.orders_controller import OrdersController
    from services.web.reports_controller import ReportsController

    data = [DataController, DataCatalogueController, DataPricesController, DataKeysController]
    orders = [OrdersController, InvoicesController]

    console = Router(
        path="/",
        route_handlers=[
            SignInController,
            ConsoleController,
            CyclesController,
            BulkBuysController,
            ReportsController,
            *data,
            *orders,
        ],
        # not an API route: the Bearer-key middleware leaves it alone, the session guard rules
        opt={"public": True},
        request_class=HTMXRequest,
        middleware=[DefineMiddleware(CSRFMiddleware, config=csrf_config(settings))],
        dependencies={"viewer": Provide(provide_viewer)},
        exception_handlers=EXCEPTION_HANDLERS,
        include_in_schema=False,
    )
    static = create_static_files_router(
        path=STATIC_URL,
        directories=[STATIC],
        opt={"public": True},
        include_in_schema=False,
        cache_control=CacheControlHeader(max_age=86_400, public=True),
        name="static",
    )
    return WebParts(
        route_handlers=[console, warung_router(settings), static],
        template_config=template_config(settings.language),
    )


def warung_router(settings: Settings) -> Router:
    """The warung owner's phone pages under ``/w``: signed in by a link, CSRF on every form."""
    from services.web.warung_auth_controller import WarungSignInController
    from services.web.warung_home_controller import WarungHomeController
    from services.web.warung_invoices_controller import WarungInvoiceController
    from services.web.warung_order_controller import WarungOrderController
    from services.web.warung_preorders_controller import WarungPreorderController
    from services.web.warung_receipts_controller import WarungReceiptController
    from services.web.warung_render import EXCEPTION_HANDLERS as OWNER_ERRORS
    from services.web.warung_render import OWNER_COOKIE, provide_owner
    from services.web.warung_stock_controller import WarungStockController

    return Router(
        path="/",
        route_handlers=[
            WarungSignInController,
            WarungHomeController,
            WarungOrderController,
            WarungPreorderController,
            WarungReceiptController,
            WarungInvoiceController,
            WarungStockController,
        ],
        # pages: the session guard rules, never a Bearer key; idempotency keys are the warung's
        opt={"public": True, "session_cookie": OWNER_COOKIE},
        request_class=HTMXRequest,
        middleware=[DefineMiddleware(CSRFMiddleware, config=csrf_config(settings))],
        dependencies={"owner": Provide(provide_owner)},
        exception_handlers=OWNER_ERRORS,  # type: ignore[arg-type]
        include_in_schema=False,
    )


def api_docs_plugins() -> list[OpenAPIRenderPlugin]:
    """Swagger UI at ``/schema`` (and ``/schema/swagger``) from our own static files, so the
    API docs work with no internet."""
    return [
        SwaggerRenderPlugin(
            path=["/", "/swagger"],
            js_url=static_url("vendor/swagger-ui/swagger-ui-bundle.js"),
            css_url=static_url("vendor/swagger-ui/swagger-ui.css"),
            standalone_preset_js_url=static_url(
                "vendor/swagger-ui/swagger-ui-standalone-preset.js"
            ),
            favicon=FAVICON,
        )
    ]
