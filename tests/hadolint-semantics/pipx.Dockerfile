# pipx installs an application from PyPI: the same pins as pip.
FROM python:3.12-slim
RUN pip install --no-cache-dir pipx==1.7.1 && pipx install black
RUN pipx install --python python3.12 ruff==0.8.0
USER 10001
