# Reference vector of TestFitStackSklearn (matching/router/stack_test.go): scikit-learn 1.2.1 with
# NumPy 1.24.2 (Debian bookworm: apt-get install python3-sklearn; run with /usr/bin/python3).
# Multinomial logistic regression, L2 penalty on the weights, biases not penalized;
# sklearn minimizes ½‖W‖² + C·Σ log-loss, our mean log-loss + λ/2·‖W‖², so C = 1/(n·λ).
# The biases are unique only up to a shared constant: they are printed centred.
# newton-cg, not lbfgs: sklearn's lbfgs stops on a relative decrease of 64·eps, about 1e-5 from
# the optimum here; newton-cg agrees with scipy's L-BFGS-B run to its limit (gtol 1e-14)
# to 1e-8. It warns that it did not converge at tol 1e-10; tol 1e-13 prints the same figures.
import numpy as np
from sklearn.linear_model import LogisticRegression
X = np.array([
 [ 1.2, -0.3, 0.0, 0.5],
 [ 0.8,  0.1, 0.2, 0.0],
 [ 1.5, -0.7, 0.0, 0.9],
 [-0.4,  1.1, 0.3, 0.1],
 [-0.9,  0.8, 0.0, 0.0],
 [ 0.1,  1.4, 0.6, 0.2],
 [-0.2, -0.5, 1.0, 0.7],
 [ 0.3, -0.9, 0.8, 0.4],
 [-0.6, -0.2, 1.3, 0.0],
 [ 0.9,  0.9, 0.1, 0.3],
 [ 0.0,  0.2, 0.9, 0.8],
 [ 1.1,  0.4, 0.5, 0.0],
])
y = np.array([0,0,0,1,1,1,2,2,2,0,2,1])
lam = 0.05
n = len(y)
m = LogisticRegression(C=1/(n*lam), multi_class='multinomial', solver='newton-cg', tol=1e-10, max_iter=100000).fit(X, y)
np.set_printoptions(precision=12)
print("W (label-major):"); print(repr(m.coef_))
print("b:", repr(m.intercept_ - m.intercept_.mean()))
print("P:", repr(m.predict_proba(X)))
