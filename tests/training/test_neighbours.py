"""The reader's training negatives from other articles: the most alike paragraph that does not answer."""

from __future__ import annotations

import numpy as np

from training.neighbours import most_alike, other_article_neighbours
from training.squad import Article, Paragraph, Question


def article(title: str, *contexts: str, question: Question | None = None) -> Article:
    paragraphs = [Paragraph(c, ()) for c in contexts]
    if question is not None:
        paragraphs[0] = Paragraph(contexts[0], (question,))
    return Article(title, tuple(paragraphs))


QUESTION = Question("q1", "What regulates the antiviral activity of IFITM3?", 10, "palmitoylation")
OWN = article("IFITM3", "IFITM3's antiviral activity is regulated by palmitoylation of its cysteines.", question=QUESTION)
SIBLING = article(
    "IFITM family",
    "The antiviral activity of IFITM3 was first seen against influenza in cell lines.",
    "Palmitoylation regulates the antiviral activity of IFITM3, as a later study of IFITM3 found.",
)
FAR = article(
    "Rivers",
    "The river's activity in spring floods the valley; what regulates it is the snow in the hills, and"
    " the farmers of the valley have long watched the hills for the first thaw of the year.",
)


def test_the_neighbour_is_the_paragraph_of_another_article_sharing_the_rare_words_without_the_answer():
    [found] = other_article_neighbours([OWN, SIBLING, FAR], [(OWN, OWN.paragraphs[0], QUESTION)])
    # Not its own article, not the sibling paragraph that holds the answer, not the long far one that
    # shares only common words: the sibling paragraph that names IFITM3 and does not say it.
    assert found == SIBLING.paragraphs[0].context


def test_no_neighbour_where_no_other_article_shares_a_word():
    lone = Question("q2", "Who painted Guernica?", 0, "Picasso")
    own = article("Guernica", "Picasso painted Guernica in 1937.", question=lone)
    assert other_article_neighbours([own, FAR], [(own, own.paragraphs[0], lone)]) == [None]


def test_equal_scores_rank_by_column_whatever_the_cpu_sorts_with():
    # numpy sorts with other kernels where the CPU has AVX-512, and they order equal scores otherwise;
    # a last-bit difference of a sum is a tie too. The earlier column goes first.
    scores = np.array([0.5, 0.9, 0.5, 0.1, 0.9 + 1e-12, 0.5, 0.0])
    assert most_alike(scores, 3).tolist() == [1, 4, 0]
    assert most_alike(scores, 4).tolist() == [1, 4, 0, 2]
    assert most_alike(scores, 20).tolist() == [1, 4, 0, 2, 5, 3]  # a score of 0 is no neighbour
    assert most_alike(scores, 0).tolist() == [] and most_alike(np.zeros(0), 8).tolist() == []
