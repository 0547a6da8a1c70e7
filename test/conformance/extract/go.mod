module portcullis.invalid/extract

go 1.26
