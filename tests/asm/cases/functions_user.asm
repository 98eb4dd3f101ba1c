; expect: ok
function kb(n) = n*1024
function rgb(r, g, b) = (b<<10)|(g<<5)|r
function offset(i) = i*2
org $008000
Main:
	dw kb(2)
	dw rgb(31, 0, 0), rgb(0, 31, 0), rgb(31, 31, 31)
	lda.w .Data+offset(2)
.Data
	dw 0, 1, 2
