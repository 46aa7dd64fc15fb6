"""Analysis of a result: records, explanations, boards, time order, roll-ups, commendations."""
