# Independent reference implementation (pure Python, written separately from the Go code).
import math, json
def topsis(X, w, types, norm):
    n, m = len(X), len(X[0])
    R = [[0.0]*m for _ in range(n)]
    for j in range(m):
        col = [X[i][j] for i in range(n)]
        if norm == 'vector':
            s = math.sqrt(sum(c*c for c in col))
            for i in range(n): R[i][j] = col[i]/s
        elif norm == 'none':
            for i in range(n): R[i][j] = col[i]
        elif norm == 'minmax':
            lo, hi = min(col), max(col)
            for i in range(n):
                if hi == lo: R[i][j] = 1.0
                elif types[j] == -1: R[i][j] = (hi-col[i])/(hi-lo)
                else: R[i][j] = (col[i]-lo)/(hi-lo)
    V = [[w[j]*R[i][j] for j in range(m)] for i in range(n)]
    ideal, anti = [], []
    for j in range(m):
        col = [V[i][j] for i in range(n)]
        if types[j] == -1 and norm != 'minmax':
            ideal.append(min(col)); anti.append(max(col))
        else:
            ideal.append(max(col)); anti.append(min(col))
    C = []
    for i in range(n):
        dp = math.sqrt(sum((V[i][j]-ideal[j])**2 for j in range(m)))
        dm = math.sqrt(sum((V[i][j]-anti[j])**2 for j in range(m)))
        C.append(dm/(dp+dm))
    order = sorted(range(n), key=lambda i: -C[i])
    rank = [0]*n
    for r, i in enumerate(order): rank[i] = r+1
    return C, rank
def entropy(X, norm, types=None):
    n, m = len(X), len(X[0])
    if types is None: types = [1]*m
    d = []
    for j in range(m):
        col = [X[i][j] for i in range(n)]
        if norm == 'minmax':
            lo, hi = min(col), max(col)
            col = [1.0 if hi == lo else ((hi-c)/(hi-lo) if types[j] == -1 else (c-lo)/(hi-lo)) for c in col]
        s = sum(col)
        e = -sum((c/s)*math.log(c/s) for c in col if c > 0)/math.log(n)
        d.append(1-e)
    t = sum(d)
    return [x/t for x in d]
fighter = [[2.0,1500,20000,5.5,5,9],[2.5,2700,18000,6.5,3,5],[1.8,2000,21000,4.5,7,7],[2.2,1800,20000,5.0,5,5]]
types = [1,1,1,-1,1,1]
w = [0.2,0.1,0.1,0.1,0.2,0.3]
for norm in ['vector','minmax','none']:
    print(norm, topsis(fighter, w, types, norm))
print('entropy sum', entropy(fighter,'sum'))
print('entropy minmax', entropy(fighter,'minmax',types))
