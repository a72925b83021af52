"""The remote client against the vLLM-Omni-compatible app over real HTTP on 127.0.0.1, with a
small drawing model (fast): payloads as vLLM-Omni documents them, retries with back-off,
timeouts, cancellation that reaches the server, malformed replies, API keys, and how sessions
are spread over endpoints and kept on one."""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest
from PIL import Image

from omni_support import BackgroundServer
from stagestudio.backends.base import BackendError, BackendUnavailable, CancelToken, Cancelled
from stagestudio.backends.remote import dialect
from stagestudio.backends.remote.client import (
    EndpointUnavailable,
    OmniClient,
    RemoteRejected,
    RemoteServerError,
)
from stagestudio.backends.remote.dialect import ImageAsk, RemoteReplyError, TextAsk
from stagestudio.backends.remote.endpoints import EndpointPool
from stagestudio.backends.remote.settings import normalize_endpoint, remote_settings
from stagestudio.omni_server import protocol


class DrawingModel:
    """Paints the seed into the picture; answers "Yes." — or waits, when told to, until the
    server cancels it (a client went away)."""

    def __init__(self) -> None:
        self.hold_s = 0.0
        self.cancelled = threading.Event()
        self.asks: list[protocol.ModelAsk] = []

    def __call__(self, ask, cancel):
        self.asks.append(ask)
        deadline = time.monotonic() + self.hold_s
        while time.monotonic() < deadline:
            if cancel.cancelled:
                self.cancelled.set()
                raise Cancelled("client left")
            time.sleep(0.01)
        if ask.wants_image:
            return Image.new("RGB", (ask.width, ask.height), ((ask.seed or 0) % 256, 40, 90))
        return "Yes."


@pytest.fixture
def server():
    with BackgroundServer(DrawingModel(), name="drawing") as running:
        yield running


def client_for(*servers, sleeps: list | None = None, **settings) -> OmniClient:
    values = dict(endpoints=[s.url for s in servers], retries=2, backoff_s=0.01, timeout_s=5, connect_timeout_s=2)
    values.update(settings)
    record = sleeps if sleeps is not None else []
    return OmniClient(remote_settings(**values), sleep=lambda seconds, cancel: record.append(seconds))


def picture(side: int = 32) -> Image.Image:
    return Image.new("RGB", (side, side), (10, 200, 10))


# --- the dialect ---------------------------------------------------------------------------------
def test_payloads_follow_the_bagel_online_serving_example():
    t2i = dialect.image_payload(ImageAsk("A cute cat", 512, 512, 50, 42, sampler={"cfg_text_scale": 4.0}))
    # The example's curl body, plus BAGEL's sampler settings under extra_args.
    assert t2i["messages"] == [{"role": "user", "content": [{"type": "text", "text": "<|im_start|>A cute cat<|im_end|>"}]}]
    assert (t2i["modalities"], t2i["height"], t2i["width"], t2i["num_inference_steps"], t2i["seed"]) == \
        (["image"], 512, 512, 50, 42)
    assert t2i["extra_args"] == {"cfg_text_scale": 4.0} and "model" not in t2i

    edit = dialect.image_payload(ImageAsk("Make the cat stand up", 32, 32, 50, 1, image=picture()), model="m")
    text_part, image_part = edit["messages"][0]["content"]
    assert text_part["text"] == "<|im_start|>Make the cat stand up<|im_end|>" and edit["model"] == "m"
    assert image_part["type"] == "image_url" and image_part["image_url"]["url"].startswith("data:image/png;base64,")

    i2t = dialect.text_payload(TextAsk("Describe this image in detail", 7, 12, image=picture()))
    assert i2t["messages"][0]["content"][0]["text"] == \
        "<|im_start|>user\n<|image_pad|>\nDescribe this image in detail<|im_end|>\n<|im_start|>assistant\n"
    assert i2t["modalities"] == ["text"] and i2t["temperature"] == 0.0 and i2t["max_tokens"] == 12
    t2t = dialect.text_payload(TextAsk("What is the capital of France?", 7, 12))
    assert t2t["messages"][0]["content"] == [{"type": "text", "text":
                                             "<|im_start|>user\nWhat is the capital of France?<|im_end|>\n<|im_start|>assistant\n"}]


def test_the_server_reads_the_example_payloads_back():
    ask = protocol.parse_chat_request(dialect.image_payload(ImageAsk("a bear", 48, 32, 9, 3, image=picture(),
                                                                     sampler={"cfg_img_scale": 2.0})))
    assert (ask.modality, ask.prompt, ask.width, ask.height, ask.steps, ask.seed) == ("img2img", "a bear", 48, 32, 9, 3)
    assert ask.sampler == {"cfg_img_scale": 2.0} and ask.image.size == (32, 32)
    ask = protocol.parse_chat_request(dialect.text_payload(TextAsk("Is it red? Answer yes or no.", 1, 5, image=picture())))
    assert (ask.modality, ask.prompt, ask.max_tokens) == ("img2text", "Is it red? Answer yes or no.", 5)
    # Generation fields may also come nested in a JSON extra_body (vLLM-Omni's chat API page) ...
    nested = protocol.parse_chat_request({"messages": [{"role": "user", "content": "a dog"}], "modalities": ["image"],
                                          "extra_body": {"num_inference_steps": 7, "seed": 5}})
    assert (nested.modality, nested.steps, nested.seed) == ("text2img", 7, 5)
    # ... but not twice with two values.
    with pytest.raises(protocol.RequestError, match="more than once"):
        protocol.parse_chat_request({"messages": [{"role": "user", "content": "a dog"}], "seed": 1,
                                     "extra_body": {"seed": 2}})


def test_sampler_defaults_match_the_local_bagel_backend():
    from stagestudio.backends.bagel.sampler import GenerationSettings
    from stagestudio.backends.remote.sampler import sampler_args

    for editing, local in ((False, GenerationSettings.text_to_image()), (True, GenerationSettings.edit())):
        sent = sampler_args(editing=editing, timestep_shift=local.timestep_shift, cfg_text_scale=local.cfg_text_scale)
        rebuilt = GenerationSettings(num_timesteps=local.num_timesteps,
                                     **{**sent, "cfg_interval": tuple(sent["cfg_interval"])})
        assert rebuilt == local


@pytest.mark.parametrize("given, normal", [("gpu-1:8000", "http://gpu-1:8000"), ("http://h:1/v1/", "http://h:1"),
                                           ("https://h/omni/v1", "https://h/omni")])
def test_endpoint_urls_are_normalised(given, normal):
    assert normalize_endpoint(given) == normal


@pytest.mark.parametrize("settings, message", [({"endpoints": ["ftp://x"]}, "not an http"),
                                               ({"endpoints": ["h:1"], "resolution": 100}, "resolution"),
                                               ({"endpoints": ["h:1"], "retries": -1}, "retries")])
def test_bad_settings_are_one_line_errors(settings, message):
    with pytest.raises(BackendError, match=message) as caught:
        remote_settings(**settings)
    assert "\n" not in str(caught.value)


def test_no_endpoint_says_how_to_give_one(monkeypatch):
    monkeypatch.delenv("STAGESTUDIO_REMOTE_ENDPOINTS", raising=False)
    with pytest.raises(BackendError, match="--endpoint"):
        remote_settings()
    monkeypatch.setenv("STAGESTUDIO_REMOTE_ENDPOINTS", "h1:1, h2:2")
    assert remote_settings().endpoints == ("http://h1:1", "http://h2:2")


# --- requests ---------------------------------------------------------------------------------
def test_image_and_text_round_trip_with_seed_and_request_ids(server):
    client = client_for(server)
    image = client.image("s1", ImageAsk("a bear", 32, 48, 3, 77))
    assert image.size == (32, 48) and image.getpixel((0, 0)) == (77, 40, 90)
    assert client.text("s1", TextAsk("Is there a bear? Answer yes or no.", 1, 4, image=image)) == "Yes."
    assert server.stats.requests == {"text2img": 1, "img2text": 1}
    assert all(rid.startswith("s1-") for rid in server.stats.request_ids)


def test_overload_is_retried_with_back_off(server):
    sleeps: list[float] = []
    client = client_for(server, sleeps=sleeps, retries=3, backoff_s=0.5)
    server.faults.status, server.faults.status_times = 503, 2
    assert client.text("s", TextAsk("hi", 1, 4)) == "Yes."
    assert len(server.faults.seen) == 3
    assert sleeps == [0.0, 0.0]  # the server's Retry-After: 0 wins over our own 0.5 s, 1 s
    server.faults.seen.clear()
    server.faults.status, server.faults.status_times = 502, 10
    with pytest.raises(EndpointUnavailable, match="unavailable after 4 tries .*HTTP 502.*overloaded"):
        client.text("s", TextAsk("hi", 1, 4))
    assert len(server.faults.seen) == 4
    assert client.pool.usage()[0].down


def test_own_back_off_doubles_without_retry_after():
    sleeps: list[float] = []
    with socket.socket() as probe:  # a port with nothing behind it
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}"
    client = OmniClient(remote_settings(endpoints=[dead], retries=3, backoff_s=0.25, connect_timeout_s=1),
                        sleep=lambda s, c: sleeps.append(s))
    url = client.pool.urls[0]
    with pytest.raises(EndpointUnavailable, match="connection refused"):
        client._post_with_retries(url, b"{}", "r-1", None)  # the retry policy alone, past the health probe
    assert sleeps == [0.25, 0.5, 1.0]
    # A new session is probed first and told plainly that nothing answers.
    with pytest.raises(BackendUnavailable, match=f"no endpoint answers: {url} .connection refused"):
        client.text("s", TextAsk("hi", 1, 4))


def test_a_persistent_500_is_the_request_not_the_server(server):
    client = client_for(server, retries=1)
    server.faults.status, server.faults.status_times = 500, 5
    with pytest.raises(RemoteServerError, match="failed the request 2 tries in a row"):
        client.text("s", TextAsk("hi", 1, 4))


def test_a_rejected_request_is_not_retried(server):
    client = client_for(server, served_model="another-model")
    with pytest.raises(RemoteRejected, match="HTTP 404.*another-model"):
        client.text("s", TextAsk("hi", 1, 4))
    assert len(server.faults.seen) == 1


def test_api_key_is_sent_as_bearer_token(monkeypatch):
    with BackgroundServer(DrawingModel(), name="drawing", api_key="sesame") as locked:
        with pytest.raises(RemoteRejected, match="HTTP 401.*--api-key"):
            client_for(locked).text("s", TextAsk("hi", 1, 4))
        keyed = OmniClient(remote_settings(endpoints=[locked.url]), api_key="sesame")
        assert keyed.text("s", TextAsk("hi", 1, 4)) == "Yes."
        monkeypatch.setenv("STAGESTUDIO_REMOTE_API_KEY", "sesame")
        assert OmniClient(remote_settings(endpoints=[locked.url])).text("s", TextAsk("hi", 1, 4)) == "Yes."


def test_a_slow_server_times_out_without_a_retry(server):
    client = client_for(server, timeout_s=0.3, retries=3)
    server.faults.delay_s = 3.0
    started = time.monotonic()
    with pytest.raises(EndpointUnavailable, match="did not answer within 0.3 s"):
        client.text("s", TextAsk("hi", 1, 4))
    assert time.monotonic() - started < 2.5
    assert len(server.faults.seen) == 1


def test_cancel_aborts_the_request_and_the_server_stops_working_on_it(server):
    model = server.app.model
    model.hold_s = 10.0
    client = client_for(server)
    token = CancelToken()
    threading.Timer(0.3, token.cancel).start()
    started = time.monotonic()
    with pytest.raises(Cancelled):
        client.image("s", ImageAsk("a bear", 32, 32, 3, 1), cancel=token)
    assert time.monotonic() - started < 2.0
    assert model.cancelled.wait(5), "the server never noticed the client leave"
    assert server.stats.aborted == 1


@pytest.mark.parametrize("fault, message", [
    ("not_image", "image bytes are not a picture"),
    ("not_json", "not JSON: '<html>502 Bad Gateway"),
    ("no_choices", "no choices"),
    ("wrong_size", "returned a 64x64 image, not the 32x32 asked for"),
])
def test_malformed_replies_are_clear_errors(server, fault, message):
    server.faults.reply = fault
    with pytest.raises(RemoteReplyError, match=message) as caught:
        client_for(server).image("s", ImageAsk("a bear", 32, 32, 3, 1))
    assert "\n" not in str(caught.value)


# --- endpoints ----------------------------------------------------------------------------------
class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_sessions_spread_by_load_and_stick():
    pool = EndpointPool(["http://a", "http://b"], probe=lambda url: None, clock=Clock())
    bound = {s: pool.endpoint_for(s) for s in ("s1", "s2", "s3", "s4")}
    assert sorted(bound.values()) == ["http://a", "http://a", "http://b", "http://b"]
    assert all(pool.endpoint_for(s) == url for s, url in bound.items())  # sticky
    for session, url in bound.items():
        if url == "http://a":
            pool.release(session)  # a's sessions end: a is idle, b still has two
    assert pool.endpoint_for("s5") == "http://a" and pool.endpoint_for("s6") == "http://a"
    # Equal sessions (two each): requests in flight break the tie.
    with pool.request("http://a"):
        assert pool.endpoint_for("s7") == "http://b"
    assert [u.sessions for u in pool.usage()] == [4, 3]


def test_a_dead_endpoint_is_skipped_and_a_bound_session_never_moves():
    alive = {"http://a": True, "http://b": True}
    pool = EndpointPool(["http://a", "http://b"],
                        probe=lambda url: None if alive[url] else "connection refused", clock=Clock())
    first = pool.endpoint_for("s1")
    other = ({"http://a", "http://b"} - {first}).pop()
    alive[first] = False
    pool.mark_down(first, "connection reset")
    assert pool.endpoint_for("s1") == first  # the running session stays; its next request will tell
    assert pool.endpoint_for("s2") == other and pool.endpoint_for("s3") == other
    alive[other] = False
    pool.mark_down(other, "connection refused")
    with pytest.raises(BackendUnavailable, match="no endpoint answers: http://a .connection refused.; "
                                                 "http://b .connection refused."):
        pool.endpoint_for("s4")


def test_idle_sessions_stop_counting_as_load():
    clock = Clock()
    pool = EndpointPool(["http://a", "http://b"], probe=lambda url: None, idle_s=60, clock=clock)
    pool.endpoint_for("old-1")
    pool.endpoint_for("old-2")
    clock.now += 61
    pool.endpoint_for("fresh")  # expires the idle ones first
    assert sum(u.sessions for u in pool.usage()) == 3
    assert pool.endpoint_for("fresh-2") != pool.endpoint_for("fresh")


# --- the test server's other routes ---------------------------------------------------------------
def test_images_api_routes_answer_in_the_documented_shapes(server):
    import base64
    import io
    import urllib.request

    def post(path: str, data: bytes, content_type: str) -> tuple[int, dict]:
        request = urllib.request.Request(server.url + path, data=data, headers={"Content-Type": content_type})
        try:
            with urllib.request.urlopen(request, timeout=10) as reply:
                return reply.status, json.loads(reply.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    status, body = post("/v1/images/generations",
                        json.dumps({"prompt": "a dragon", "size": "48x32", "seed": 42}).encode(), "application/json")
    image = Image.open(io.BytesIO(base64.b64decode(body["data"][0]["b64_json"])))
    assert status == 200 and image.size == (48, 32) and set(body["data"][0]) == {"b64_json", "url", "revised_prompt"}
    status, body = post("/v1/images/generations", json.dumps({"prompt": "x", "size": "1024x"}).encode(),
                        "application/json")
    assert status == 400 and "Invalid size format" in body["error"]["message"]

    boundary = "stagestudio-boundary"
    png = io.BytesIO()
    picture().save(png, format="PNG")
    form = b"".join([
        f'--{boundary}\r\nContent-Disposition: form-data; name="prompt"\r\n\r\nmake it red\r\n'.encode(),
        f'--{boundary}\r\nContent-Disposition: form-data; name="size"\r\n\r\n32x32\r\n'.encode(),
        f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\n'
        f'Content-Type: image/png\r\n\r\n'.encode(), png.getvalue(), f"\r\n--{boundary}--\r\n".encode(),
    ])
    status, body = post("/v1/images/edits", form, f"multipart/form-data; boundary={boundary}")
    assert status == 200 and body["size"] == "32x32" and body["output_format"] == "png"
    assert server.app.model.asks[-1].modality == "img2img" and server.app.model.asks[-1].prompt == "make it red"
    with urllib.request.urlopen(server.url + "/v1/models", timeout=10) as reply:
        assert json.loads(reply.read())["data"][0]["id"] == "drawing"
