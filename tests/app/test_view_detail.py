"""The Lab's words on how fine a detail its views hold (walk 42: a 2 px scratch on 128 px parts)."""

from __future__ import annotations

from app.view_detail import TRAIN_SIDE, detail_words, imported_side
from ssl_core.augment import make_recipe
from ssl_core.augment.preview import smallest_share


def test_the_words_give_the_sides_and_the_span_of_a_training_views_pixel():
    assert TRAIN_SIDE == 32
    said = detail_words(128, 64, 0.05)
    assert said.startswith("How fine a detail a view holds: these pictures came in at 128 px (the median side that "
                           "became the stored square) and are stored at 64 px; the views above are drawn at 64 px, "
                           "and training draws them at 32 px, so the finest detail a training view of the whole "
                           "picture holds is 4.0 of your pixels across")
    assert "holds is 8.0 of your pixels across" in detail_words(128, 16, None)  # a review: stored below the views
    assert "A crop keeps as little as 5% of the picture here" in said
    assert said.endswith("a larger smallest crop keeps it in more views.")
    assert "Train page" not in said  # walk 44: it named an image size the Train page does not have


def test_pictures_no_larger_than_a_view_and_uncropped_views_say_only_the_sides():
    said = detail_words(24, 64, None)
    assert "finest" not in said and "crop" not in said and said.endswith("training draws them at 32 px.")
    assert "stored at 64 px;" in detail_words(None, 64, None)


def test_the_median_side_and_the_smallest_crop_of_each_recipe():
    assert imported_side([128, 96, 4000]) == 128 and imported_side([]) is None
    assert smallest_share(make_recipe("simclr_multicrop")) == 0.05  # its local crops
    assert smallest_share(make_recipe("simclr_multicrop", local_crops=0)) == 0.6  # its two views alone
    assert smallest_share(make_recipe("dino")) == 0.05  # its local crops, a field now
    assert smallest_share(make_recipe("simclr", crop_min=1.0)) is None
