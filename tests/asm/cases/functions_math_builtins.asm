; expect: ok
asar 1.90
org $008000
	db min(3, 9), max(3, 9), clamp(12, 0, 10), clamp(-4, 0, 10)
	db select(1, $AA, $BB), select(0, $AA, $BB), not(0), not(5)
	db equal(2, 2), notequal(2, 2), less(1, 2), lessequal(2, 2), greater(1, 2), greaterequal(3, 2)
	db and(1, 1), or(0, 1), nand(1, 1), nor(0, 0), xor(1, 0)
	db safediv(10, 0, $7F), safediv(10, 2, $7F)
	db floor(2.7), ceil(2.1), round(2.5, 0), sqrt(81)
	db bank($123456), log2(256)
