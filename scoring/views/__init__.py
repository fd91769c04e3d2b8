"""The administrators' pages for how stations are judged: weights and grading rules,
each a versioned history with a preview before saving and a review before publishing."""
