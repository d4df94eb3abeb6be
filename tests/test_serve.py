"""dlcourse.serve: a Gradio demo started on 127.0.0.1, queried with gradio_client, stopped;
offline (no analytics, no share link)."""
from __future__ import annotations

import os
import socket

import numpy as np
import pytest

from dlcourse import serve


def test_analytics_are_off_before_gradio_is_imported():
    assert os.environ["GRADIO_ANALYTICS_ENABLED"] == "False"


def test_free_port_can_be_bound():
    port = serve.free_port()
    with socket.socket() as s:
        s.bind((serve.HOST, port))


def test_save_images_round_trip(tmp_path):
    from PIL import Image
    images = np.random.default_rng(0).integers(0, 256, (3, 1, 28, 28)) / 255.0
    paths = serve.save_images(images, tmp_path / "digits")
    assert [p.name for p in paths] == ["digit_000.png", "digit_001.png", "digit_002.png"]
    for path, image in zip(paths, images):
        with Image.open(path) as png:
            assert png.mode == "L" and png.size == (28, 28)
            np.testing.assert_array_equal(np.asarray(png), np.rint(image[0] * 255))


def test_launch_query_close(tmp_path):
    gr = pytest.importorskip("gradio")
    from gradio_client import Client, handle_file

    def ink(image):
        """Mean brightness and the image's shape: enough to see the upload arrived intact."""
        return {"mean": float(image.mean()) / 255, "shape": list(image.shape)}

    demo = gr.Interface(fn=ink, inputs=gr.Image(image_mode="L", type="numpy"), outputs=gr.JSON(),
                        api_name="predict")
    url = serve.launch(demo)
    try:
        assert url.startswith("http://127.0.0.1:")
        image = np.zeros((1, 28, 28))
        image[0, 10:20, 5:15] = 1.0
        [path] = serve.save_images(image[None], tmp_path)
        client = Client(url, verbose=False)
        result = client.predict(handle_file(path), api_name="/predict")
        assert result["shape"] == [28, 28]
        assert result["mean"] == pytest.approx(image.mean())
    finally:
        demo.close()
    port = int(url.rstrip("/").rsplit(":", 1)[1])
    with socket.socket() as s:                     # closed: nothing listens there any more
        assert s.connect_ex((serve.HOST, port)) != 0
