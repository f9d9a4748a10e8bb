"""The Litestar application factory. Importing this module starts nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.config.response_cache import ResponseCacheConfig
from litestar.datastructures import State
from litestar.openapi import OpenAPIConfig
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController

from services.bootstrap import Container, bootstrap
from services.db.migrate import ensure_schema_current

API_TITLE = "kulakan"
API_DESCRIPTION = (
    "Group wholesale buying for warungs: restock requests, consolidated bulk buys, "
    "supplier split and below-market pricing. Authenticate with `Authorization: Bearer <key>`."
)


class MetricsController(PrometheusController):
    path = "/metrics"
    opt = {"public": True}
    include_in_schema = False


def create_app(container: Container | None = None, *, check_schema: bool = True) -> Litestar:
    from services.api.bulk_buy_controller import BulkBuyController
    from services.api.catalogue_controller import (
        MarketPriceController,
        ProductController,
        SupplierController,
    )
    from services.api.demand_controller import (
        OrderCycleController,
        RestockRequestController,
        WarungDemandController,
    )
    from services.api.deps import DEPENDENCIES
    from services.api.documents_controller import SupplierDocumentController
    from services.api.field_controller import (
        FieldOrderController,
        MarketRunnerController,
        PriceBoardController,
        TraderLinkController,
    )
    from services.api.fulfilment_controller import (
        SettlementController,
        WarungFulfilmentController,
    )
    from services.api.health_controller import HealthController
    from services.api.keys_controller import ApiKeyController
    from services.api.metrics import process_stopped
    from services.api.middleware import (
        AuthMiddleware,
        RequestContextMiddleware,
        TransactionMiddleware,
    )
    from services.api.openapi import install as install_openapi
    from services.api.problems import EXCEPTION_HANDLERS
    from services.api.purchasing_controller import (
        OutboxController,
        PurchaseOrderController,
        SupplierFeedController,
        WebhookController,
    )
    from services.api.registry_controller import SatkerController
    from services.api.request_input import InputMiddleware
    from services.app.bulk_buy_background import stop_builds
    from services.logging import configure_logging
    from services.web import web_parts
    from services.web.app import api_docs_plugins

    owned = container is None
    if container is None:
        container = bootstrap()
        configure_logging(json=container.settings.log_json, level=container.settings.log_level)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        if check_schema:
            await ensure_schema_current(container.engine)
        try:
            async with container.key_revocations():
                yield
        finally:
            await stop_builds()  # background bulk-buy builds give their claims back
            if owned:
                await container.close()
            process_stopped()

    web = web_parts(container.settings)
    prometheus = PrometheusConfig(
        app_name="kulakan", prefix="kulakan", group_path=True, exclude=["/metrics"]
    )
    app = Litestar(
        route_handlers=[
            HealthController,
            MetricsController,
            ApiKeyController,
            SatkerController,
            ProductController,
            SupplierController,
            MarketPriceController,
            WarungDemandController,
            RestockRequestController,
            OrderCycleController,
            BulkBuyController,
            PurchaseOrderController,
            OutboxController,
            SupplierFeedController,
            WebhookController,
            SupplierDocumentController,
            PriceBoardController,
            MarketRunnerController,
            FieldOrderController,
            TraderLinkController,
            SettlementController,
            WarungFulfilmentController,
            *web.route_handlers,
        ],
        template_config=web.template_config,
        dependencies=DEPENDENCIES,
        middleware=[
            prometheus.middleware,
            RequestContextMiddleware,
            AuthMiddleware,
            InputMiddleware,
            TransactionMiddleware,
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=[lifespan],
        openapi_config=OpenAPIConfig(
            title=API_TITLE,
            version="0.1.0",
            description=API_DESCRIPTION,
            path="/schema",
            render_plugins=api_docs_plugins(),  # Swagger UI from our static files: works offline
        ),
        response_cache_config=ResponseCacheConfig(),
        state=State({"container": container}),
        debug=False,
    )
    return install_openapi(app)  # errors, headers and links the generated document lacks
