"""Filing applications with the portal exactly once (no Qt here).

* :mod:`~omsdesktop.portal.contract` — the request/response bodies of docs/portal-api.yaml;
* :mod:`~omsdesktop.portal.adapter` — the protocol another endpoint can implement;
* :mod:`~omsdesktop.portal.client` — the httpx client with safe retries;
* :mod:`~omsdesktop.portal.outbox` — submit, queue, flush, poll (the state machine);
* :mod:`~omsdesktop.portal.sandbox` — the training portal;
* :mod:`~omsdesktop.portal.attachments` — scans to ≤ 5 MB JPEG/PDF at ≥ 200 dpi.
"""
