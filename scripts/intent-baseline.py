#!/usr/bin/env python3
# The plain baseline that issue 7 measures the engine against: TF-IDF over character 2- to 5-grams of each word
# (raw text, no normalisation) and a logistic regression, trained on the script's [[intent]] examples.
# Prints 5-fold cross-validation (five shuffles) and the intent figure of each story file given.
# Needs scikit-learn (pip install scikit-learn); not part of the build or of swift test.
# Usage: scripts/intent-baseline.py Sources/LoketCore/Resources/default-script.toml Tests/HeldOut/held-out-3.toml

import sys
import tomllib

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.model_selection import KFold

script = tomllib.load(open(sys.argv[1], 'rb'))
X, y = [], []
for intent in script['intent']:
    for e in intent['examples']:
        X.append(e); y.append(intent['id'])
X = np.array(X); y = np.array(y)

def model():
    return make_pipeline(TfidfVectorizer(analyzer='char_wb', ngram_range=(2, 5), sublinear_tf=True, lowercase=True),
                         LogisticRegression(C=10, max_iter=2000))

accs = []
for seed in range(5):
    right = 0
    for tr, te in KFold(5, shuffle=True, random_state=seed).split(X):
        m = model().fit(X[tr], y[tr]); right += (m.predict(X[te]) == y[te]).sum()
    accs.append(right / len(X))
print(f"baseline 5-fold CV: {np.mean(accs)*100:.1f} % (shuffles {[round(float(a)*100, 1) for a in accs]}) of {len(X)}")
m = model().fit(X, y)
for path in sys.argv[2:]:
    stories = tomllib.load(open(path, 'rb'))['story']
    right = total = 0
    for s in stories:
        for t in s['turn']:
            if 'citizen' in t and 'intent' in t:
                total += 1; p = m.predict([t['citizen']])[0]; right += p == t['intent']
    print(f"baseline held-out {path}: {right}/{total} ({right/max(total,1)*100:.1f} %)")
