# Which requirement specifiers fix a version: ==, ~= and an upper bound do;
# >= and != alone still float; shell-escaped operators are the same words.
FROM python:3.12-slim
RUN pip install --no-cache-dir "requests==2.32.3" "attrs~=23.2" "urllib3<3"
RUN pip install --no-cache-dir "flask>=3.0"
RUN pip install --no-cache-dir "django!=4.2.0"
RUN pip install --no-cache-dir tomli\>=2.0
USER 10001
