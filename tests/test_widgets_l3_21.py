"""L3.21's explorer: RobustnessExplorer. With the controls set, the figure against attacks and
attributions recomputed here: ε = 0 shows the clean image and the clean prediction; a larger ε
moves no pixel by more than ε and keeps the image in [0, 1]; FGSM's image is the reference
x + ε·sign(∇ₓ loss); PGD is at least as strong as FGSM; the saliency map is a row of the input
Jacobian and integrated gradients are complete; the probabilities shown are the model's softmax.
The shipped demo pair loads and the adversarially trained one is the more robust (the generic
sweep over every control is tests/test_widgets.py)."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlcourse.widgets.robustness import (EPS_MAX, RobustnessExplorer, demo, fgsm, integrated_gradients,
                                         pgd, saliency)


@pytest.fixture(scope="module")
def pair():
    models, images, labels, about = demo()
    return models, images, labels


def shown(explorer, row):
    """(attacked image, δ, attribution, clean probabilities, attacked probabilities) of a row."""
    d = explorer.fig.data[5 * row:5 * row + 5]
    return (np.asarray(d[0].z, dtype=float), np.asarray(d[1].z, dtype=float), np.asarray(d[2].z, dtype=float),
            np.asarray(d[3].y, dtype=float), np.asarray(d[4].y, dtype=float))


def probabilities(model, image):
    with torch.no_grad():
        return model(torch.as_tensor(image, dtype=torch.float32).reshape(1, 1, 28, 28)).softmax(1)[0].numpy()


@pytest.mark.parametrize("attack", ["FGSM", "PGD"])
def test_eps_zero_shows_the_clean_image_and_prediction(pair, attack):
    models, images, labels = pair
    explorer = RobustnessExplorer(models, images, labels, image=5, attack=attack, eps=0.0)
    for row, model in enumerate(models.values()):
        adversarial, delta, _, clean_p, adv_p = shown(explorer, row)
        np.testing.assert_allclose(adversarial, images[5, 0].numpy(), atol=1e-7)
        assert np.abs(delta).max() == 0
        np.testing.assert_allclose(clean_p, probabilities(model, images[5]), atol=1e-6)
        np.testing.assert_allclose(adv_p, clean_p, atol=1e-7)
        assert f"reads {int(clean_p.argmax())}" in explorer.fig.layout.annotations[4 * row].text
        assert list(models)[row] in explorer.fig.layout.annotations[4 * row + 3].text


@pytest.mark.parametrize("attack,eps,index", [("FGSM", 0.1, 0), ("FGSM", 0.3, 7), ("PGD", 0.15, 3),
                                              ("PGD", EPS_MAX, 11)])
def test_attacks_stay_in_budget_and_match_the_reference(pair, attack, eps, index):
    models, images, labels = pair
    explorer = RobustnessExplorer(models, images, labels)
    explorer.controls["image"].value = index
    explorer.controls["attack"].value = attack
    explorer.controls["eps"].value = eps
    x, y = images[index:index + 1], labels[index:index + 1]
    for row, model in enumerate(models.values()):
        adversarial, delta, _, _, adv_p = shown(explorer, row)
        assert np.abs(delta).max() <= eps + 1e-6
        assert adversarial.min() >= 0 and adversarial.max() <= 1
        np.testing.assert_allclose(adversarial - images[index, 0].numpy(), delta, atol=1e-6)
        if attack == "FGSM":                                  # the reference, written out here
            xg = x.clone().requires_grad_(True)
            grad, = torch.autograd.grad(F.cross_entropy(model(xg), y), xg)
            reference = (x + eps * grad.sign()).clamp(0, 1)[0, 0].numpy()
            np.testing.assert_allclose(adversarial, reference, atol=1e-6)
        np.testing.assert_allclose(adv_p, probabilities(model, adversarial), atol=1e-5)
        assert adv_p.sum() == pytest.approx(1.0, abs=1e-5)


def test_pgd_is_at_least_as_strong_as_fgsm(pair):
    models, images, labels = pair
    model = models["clean-trained"]
    x, y = images[:24], labels[:24]
    x_fgsm, x_pgd = fgsm(model, x, y, 0.2), pgd(model, x, y, 0.2)
    with torch.no_grad():
        loss_fgsm = F.cross_entropy(model(x_fgsm), y, reduction="none")
        loss_pgd = F.cross_entropy(model(x_pgd), y, reduction="none")
    assert loss_pgd.mean() > loss_fgsm.mean()
    assert (loss_pgd >= loss_fgsm - 1e-3).float().mean() >= 0.9


def test_attributions_match_their_references(pair):
    models, images, labels = pair
    model = models["adversarially trained"].double()
    try:
        x = images[:3].double()
        target = torch.tensor([0, 4, 9])
        ours = saliency(model, x, target)
        for k in range(3):
            jacobian = torch.func.jacrev(lambda image: model(image[None])[0])(x[k])
            np.testing.assert_allclose(ours[k].numpy(), jacobian[target[k]].abs().detach().numpy(), rtol=1e-10, atol=1e-12)
        ig = integrated_gradients(model, x, target, steps=128)
        with torch.no_grad():
            change = (model(x) - model(torch.zeros_like(x))).gather(1, target[:, None])[:, 0]
        np.testing.assert_allclose(ig.sum(dim=(1, 2, 3)).detach().numpy(), change.numpy(), rtol=0.02,
                                   atol=0.02 * change.abs().max().item())
        assert (ig[x == 0] == 0).all()                          # no ink, no credit, with a black baseline
    finally:
        model.float()


def test_attribution_panel_follows_the_control(pair):
    models, images, labels = pair
    explorer = RobustnessExplorer(models, images, labels, image=2, eps=0.2, attack="PGD")
    explorer.controls["attribution"].value = "integrated gradients"
    state = explorer.state()
    for row, (name, model) in enumerate(models.items()):
        _, _, attribution, _, adv_p = shown(explorer, row)
        r = state["models"][name]
        assert r["target"] == int(adv_p.argmax())
        x_adv = torch.as_tensor(r["adversarial"]).reshape(1, 1, 28, 28)
        expected = integrated_gradients(model, x_adv, torch.tensor([r["target"]]))[0, 0].numpy()
        np.testing.assert_allclose(attribution, expected, atol=1e-6)
        assert f"IG for class {r['target']}" in explorer.fig.layout.annotations[4 * row + 2].text
    explorer.controls["attribution"].value = "saliency"
    _, _, attribution, _, _ = shown(explorer, 0)
    assert attribution.min() >= 0                               # absolute gradients


def test_shipped_pair_the_robust_one_resists_fgsm(pair):
    models, images, labels = pair
    _, _, _, about = demo()
    assert "test accuracy" in about and images.shape == (24, 1, 28, 28) and 0 <= images.min() and images.max() <= 1
    accuracy = {}
    for name, model in models.items():
        attacked_images = fgsm(model, images, labels, 0.25)
        with torch.no_grad():
            clean = (model(images).argmax(1) == labels).float().mean().item()
            attacked = (model(attacked_images).argmax(1) == labels).float().mean().item()
        accuracy[name] = (clean, attacked)
        assert clean >= 0.85
    assert accuracy["adversarially trained"][1] >= accuracy["clean-trained"][1] + 0.3


def test_needs_two_models(pair):
    models, images, labels = pair
    with pytest.raises(ValueError):
        RobustnessExplorer({"one": models["clean-trained"]}, images, labels)
