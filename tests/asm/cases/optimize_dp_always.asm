; expect: ok
; optimize dp always also shortens labels in banks with RAM mirrors ($00-$3F, $80-$BF).
Mirror = $000042
Mirror2 = $800043
Ram = $7E0044
Rom = $C00045
optimize dp always
org $008000
	lda Mirror
	lda Mirror2
	lda Ram
	lda Rom
