"""Run a Gradio demo from a notebook on this machine only, query it, stop it (L2.13).

    from dlcourse import serve
    url = serve.launch(demo)                 # http://127.0.0.1:<free port>/, returns at once
    paths = serve.save_images(X[:8], folder)  # (N, 1, H, W) in [0, 1] → PNG files to upload
    ...                                      # gradio_client.Client(url).predict(...)
    demo.close()

What it does: turns off Gradio's usage statistics before Gradio is imported
(GRADIO_ANALYTICS_ENABLED=False), picks a free port, and launches on 127.0.0.1 (the loopback
address: only programs on this machine can connect) with no share link (share=True would open a
tunnel through Gradio's servers and give anyone with the link access), without blocking the
notebook (prevent_thread_lock) and without opening a browser. What it does not do: authenticate
anyone, limit the load, or make the demo safe to expose on 0.0.0.0 or the internet.
"""
from __future__ import annotations

import os
import socket
from pathlib import Path

# Before `import gradio` anywhere: no usage statistics, no version check against Gradio's servers.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
HOST = "127.0.0.1"


def free_port(host: str = HOST) -> int:
    """A TCP port no program is listening on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def launch(demo, port: int | None = None) -> str:
    """Start `demo` (a gr.Interface or gr.Blocks) on 127.0.0.1 in a background thread and return
    its URL. Stop it with `demo.close()`."""
    port = port or free_port()
    in_notebook = _in_ipython()
    demo.launch(server_name=HOST, server_port=port, share=False, prevent_thread_lock=True,
                inbrowser=False, quiet=True, show_error=True,
                inline=in_notebook, height=420 if in_notebook else None)
    return f"http://{HOST}:{port}/"


def save_images(images, folder) -> list[Path]:
    """Write (N, 1, H, W) or (N, H, W) images in [0, 1] as 8-bit grayscale PNG files
    (digit_000.png, …) and return their paths: what a user would upload."""
    import numpy as np
    from PIL import Image
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    array = np.asarray(images, dtype=np.float64)
    if array.ndim == 4:
        array = array[:, 0]
    paths = []
    for i, image in enumerate(array):
        path = folder / f"digit_{i:03d}.png"
        Image.fromarray(np.rint(np.clip(image, 0, 1) * 255).astype(np.uint8), mode="L").save(path)
        paths.append(path)
    return paths


def _in_ipython() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ != "TerminalInteractiveShell"
