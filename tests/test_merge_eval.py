"""The merge measured on the hand-labelled real pairs (labels/merge-pairs.csv)."""
import pandas as pd
import pytest

from assetmap.merging.merge_eval import LABEL_COLUMNS, read_labels, score_labels


def test_labels_file_is_ids_and_verdicts_only():
    lab = read_labels()
    assert list(lab.columns) == LABEL_COLUMNS
    assert set(lab["verdict"]) == {"same", "different"}
    assert set(lab["area"]) == {"chesterfield", "rutland", "leeds-centre"}
    assert not lab.duplicated(["area", "curated_source", "curated_id", "osm_id"]).any()
    assert lab["osm_id"].str.match(r"^(node|way|relation)/\d+$").all()


def test_score_labels_counts_review_as_not_merged():
    lab = pd.DataFrame([["a", "s", "1", "node/1", "same", "name"], ["a", "s", "2", "node/2", "same", "name"],
                        ["a", "s", "3", "node/3", "different", "unrelated"]], columns=LABEL_COLUMNS)
    assets = pd.DataFrame({"sources": [["osm:node/1", "s:1"], ["osm:node/3", "s:3"], ["osm:node/2"], ["s:2"]]})
    review = pd.DataFrame([{"curated_source": "s", "curated_id": "2", "candidate_ref": "osm:node/2"}])
    r = score_labels(lab, assets, review)
    assert (r["tp"], r["fp"], r["fn"], r["tn"]) == (1, 1, 1, 0)
    assert r["precision"] == 0.5 and r["recall"] == 0.5 and r["review_same"] == 1


@pytest.mark.slow
@pytest.mark.parametrize("area", ["chesterfield", "rutland", "leeds-centre"])
def test_merge_precision_and_recall_on_real_labels(area, data_root):
    from assetmap.merging.merge_eval import evaluate_area

    r = evaluate_area(area, data_root=data_root)
    assert r["same"] >= 8
    assert r["precision"] >= 0.95 and r["recall"] >= 0.95, r["errors"]
